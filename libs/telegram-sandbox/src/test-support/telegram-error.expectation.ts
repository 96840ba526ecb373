import { expect } from '@jest/globals';
import { GrammyError } from 'grammy';

/** Asserts that a Bot API call failed exactly like Telegram would (code and description). */
export async function expectTelegramError(call: Promise<unknown>, errorCode: number, description: string): Promise<GrammyError> {
  const error = await call.then(
    (result) => {
      throw new Error(`Expected ${errorCode} "${description}" but the call succeeded with ${JSON.stringify(result)}`);
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(GrammyError);
  expect({ error_code: (error as GrammyError).error_code, description: (error as GrammyError).description }).toEqual({
    error_code: errorCode,
    description,
  });
  return error as GrammyError;
}

import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * The currencies a price may be in: Telegram Stars (XTR, not an ISO code) and the ISO 4217 codes the
 * runtime knows. Which of them a bot enables is the payments service's business.
 */
const CURRENCIES: ReadonlySet<string> = new Set(['XTR', ...Intl.supportedValuesOf('currency')]);

export const isKnownCurrency = (value: unknown): boolean => typeof value === 'string' && CURRENCIES.has(value);

/** A known currency code (see CURRENCIES). */
export function IsPlanCurrency(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlanCurrency',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be XTR or an ISO 4217 currency code such as USD', ...options },
      validator: { validate: isKnownCurrency },
    });
}

/** No two items of the array share `key(item)` (one price per currency, one text per language). */
export function UniqueBy<T>(key: (item: T) => unknown, what: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'uniqueBy',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property has the same ${what} twice`, ...options },
      validator: {
        validate: (value: unknown) => {
          if (!Array.isArray(value)) return true;
          const keys = value.map((item) => (typeof item === 'object' && item !== null ? key(item as T) : item));
          return new Set(keys).size === keys.length;
        },
      },
    });
}

/** Exactly one of `property` and `other` is given (a proto oneof in its JSON form). */
export function OneOf(other: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'oneOf',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [other],
      options: { message: `$property or ${other}: exactly one of them`, ...options },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const otherValue = (args.object as Record<string, unknown>)[other];
          return (value === undefined) !== (otherValue === undefined);
        },
      },
    });
}

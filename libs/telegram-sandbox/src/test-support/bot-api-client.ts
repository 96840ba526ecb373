/** A raw Bot API call's answer, to check the wire format itself. */
export interface RawResponse {
  status: number;
  body: { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

/** Calls the Bot API with a JSON body, like most clients do. */
export async function callJson(apiRoot: string, token: string, method: string, params: Record<string, unknown> = {}): Promise<RawResponse> {
  const response = await fetch(`${apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: (await response.json()) as RawResponse['body'] };
}

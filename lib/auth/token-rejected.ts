/**
 * A token that does not verify; the reason is for logs, never for the response. Its own module, so the
 * principal can recognise it without loading jose (which only runs where no authorizer verified the token).
 */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

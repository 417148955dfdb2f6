import { Type } from '@sinclair/typebox';

/** The token endpoint's form (RFC 6749 4.3, 4.4, 6; RFC 8693). Unknown parameters are ignored, as OAuth2 asks. */
export const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ minLength: 1 }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    refresh_token: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    subject_token: Type.Optional(Type.String()),
    subject_token_type: Type.Optional(Type.String()),
    requested_token_type: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  issued_token_type: Type.Optional(Type.String()),
});

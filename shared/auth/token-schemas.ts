import { Type } from '@sinclair/typebox';

/** The token endpoint's form (RFC 6749 4.3, 4.4, 6; RFC 8693). Unknown parameters are ignored, as OAuth2 asks. */
export const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ minLength: 1, maxLength: 256 }),
    username: Type.Optional(Type.String({ maxLength: 256 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 1024 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 4096 })),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    // An external issuer's JWT: group claims make them large, never this large.
    subject_token: Type.Optional(Type.String({ maxLength: 65_536 })),
    subject_token_type: Type.Optional(Type.String({ maxLength: 256 })),
    requested_token_type: Type.Optional(Type.String({ maxLength: 256 })),
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

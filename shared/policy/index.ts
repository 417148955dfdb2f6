export { BuiltinAuthorizer, type Authorizer } from './authorize.js';

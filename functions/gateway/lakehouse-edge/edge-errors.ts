import { LakeplaneError } from '../../../shared/errors/index.js';

/** The lakehouse's driver could not be reached or dropped the call: the edge's fault to report, not the client's. */
export class BadGatewayError extends LakeplaneError {
  readonly status = 502;
  readonly code = 'bad-gateway';
  readonly title = 'Bad gateway';
}

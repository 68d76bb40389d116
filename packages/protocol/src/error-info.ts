/** An error as it travels on the wire: Ably's ErrorInfo (spec TI1). */
export interface ErrorInfoShape {
  message: string;
  code: number;
  statusCode: number;
  href?: string;
  cause?: ErrorInfoShape;
}

/** The one error type: thrown inside the server, serialised unchanged onto the wire. */
export class ErrorInfo extends Error {
  readonly code: number;
  readonly statusCode: number;
  readonly href?: string;

  constructor(message: string, code: number, statusCode: number) {
    super(message);
    this.name = 'ErrorInfo';
    this.code = code;
    this.statusCode = statusCode;
  }

  /** The wire form: exactly the fields ably-js validates, nothing that could break decoding. */
  toJSON(): ErrorInfoShape {
    return { message: this.message, code: this.code, statusCode: this.statusCode };
  }
}

/** True when the value is an ErrorInfo thrown by our catalog. */
export function isErrorInfo(value: unknown): value is ErrorInfo {
  return value instanceof ErrorInfo;
}

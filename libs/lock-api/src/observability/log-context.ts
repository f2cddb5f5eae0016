import { Injectable } from '@nestjs/common';

/** Fields every log line carries that change while the node runs. */
@Injectable()
export class LogContext {
  term = 0;
}

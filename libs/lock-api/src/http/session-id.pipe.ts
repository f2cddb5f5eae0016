import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { SESSION_ID } from '@app/protocol';

@Injectable()
export class SessionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SESSION_ID.test(value)) throw new BadRequestException(SESSION_ID.message('sessionId'));
    return value;
  }
}

import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isSessionId } from '@app/protocol';

@Injectable()
export class SessionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isSessionId(value)) throw new BadRequestException('sessionId must be 32 lowercase hex characters');
    return value;
  }
}

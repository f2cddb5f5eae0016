import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { LOCK_NAME } from '@app/protocol';

@Injectable()
export class LockNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!LOCK_NAME.test(value)) throw new BadRequestException(LOCK_NAME.message('name'));
    return value;
  }
}

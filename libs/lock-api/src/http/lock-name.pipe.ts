import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isLockName } from '@app/protocol';

@Injectable()
export class LockNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isLockName(value)) {
      throw new BadRequestException('name must be 1-128 characters of A-Z a-z 0-9 . _ : -');
    }
    return value;
  }
}

import { Injectable } from '@nestjs/common';
import { Subject, filter, type Observable } from 'rxjs';
import type { LockWatchEvent } from '@app/protocol';

/** Fans applied lock changes out to watch streams (SSE and TCP). */
@Injectable()
export class LockWatchHub {
  private readonly changes = new Subject<LockWatchEvent>();

  publish(event: LockWatchEvent): void {
    this.changes.next(event);
  }

  watch(name: string): Observable<LockWatchEvent> {
    return this.changes.pipe(filter((event) => event.name === name));
  }
}

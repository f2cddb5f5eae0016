import { Injectable } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';

/** Signals that something the dashboard shows has changed; viewers throttle it. */
@Injectable()
export class DashboardChanges {
  private readonly subject = new Subject<void>();

  changed(): void {
    this.subject.next();
  }

  get changes(): Observable<void> {
    return this.subject.asObservable();
  }
}

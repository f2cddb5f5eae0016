import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { COORDINATOR_OPTIONS, type CoordinatorOptions } from '../coordinator-options';
import { CoordinatorStatusDto } from '../dto/register-responses.dto';
import { ReplicaLocksWatcher } from '../replica-locks.watcher';
import { TransactionCoordinator } from '../transaction-coordinator.service';

@ApiTags('coordinator')
@Controller('coordinator')
export class CoordinatorHttpController {
  constructor(
    @Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions,
    private readonly coordinator: TransactionCoordinator,
    private readonly replicaLocks: ReplicaLocksWatcher,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether this process is the active coordinator, and its fencing token' })
  @ApiOkResponse({ type: CoordinatorStatusDto })
  status(): CoordinatorStatusDto {
    const token = this.coordinator.readyToken();
    return {
      id: this.options.id,
      active: token !== null,
      fencingToken: token,
      disconnected: this.replicaLocks.missing(),
    };
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReplicaViewDto } from '../dto/register-responses.dto';
import { ReplicaFleet } from '../replica-fleet';
import { ReplicaLocksWatcher } from '../replica-locks.watcher';

@ApiTags('replicas')
@Controller('replicas')
export class ReplicasHttpController {
  constructor(
    private readonly fleet: ReplicaFleet,
    private readonly replicaLocks: ReplicaLocksWatcher,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Each replica's own value, version and state",
    description: 'Asked of every replica directly; one that does not answer within a second is "down".',
  })
  @ApiOkResponse({ type: [ReplicaViewDto] })
  async list(): Promise<ReplicaViewDto[]> {
    return Promise.all(
      this.fleet.ids.map(async (id): Promise<ReplicaViewDto> => {
        const connected = this.replicaLocks.isConnected(id);
        const status = await this.fleet.status(id);
        if (!status.ok) {
          const down = { value: null, version: 0, preparedTxId: null, highestToken: 0, refusedCount: 0 };
          return { id, ...down, state: 'down', connected, error: status.reason };
        }
        const { value, version, state, preparedTxId, highestToken, refusedCount } = status.value;
        return { id, value, version, state, connected, preparedTxId, highestToken, refusedCount };
      }),
    );
  }
}

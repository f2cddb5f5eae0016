import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Put,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RegisterWriteDto } from '../dto/register-write.dto';
import {
  ErrorResponseDto,
  RegisterValueDto,
  WriteAbortedDto,
  WriteCommittedDto,
} from '../dto/register-responses.dto';
import { TransactionCoordinator } from '../transaction-coordinator.service';

@ApiTags('register')
@Controller('register')
export class RegisterHttpController {
  constructor(private readonly coordinator: TransactionCoordinator) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Write the register on every replica, or on none (two-phase commit)',
    description:
      'The coordinator logs the transaction, asks every replica to prepare, and commits only if all vote yes; ' +
      'the decision is on disk before any replica hears it. A replica votes no when expectedVersion does not ' +
      'match, when it is still in doubt on another transaction, or at random (--abort-probability).',
  })
  @ApiOkResponse({ type: WriteCommittedDto, description: 'committed on every replica' })
  @ApiConflictResponse({
    type: WriteAbortedDto,
    description: 'aborted: a replica voted no or did not vote in time',
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'a malformed body; the message names the field',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description:
      'a standby, a replica not connected, or a coordinator superseded meanwhile; Retry-After is set',
  })
  async write(@Body() body: RegisterWriteDto): Promise<WriteCommittedDto> {
    const outcome = await this.coordinator.write(body.value, body.expectedVersion);
    switch (outcome.kind) {
      case 'committed':
        return { committed: true, version: outcome.version, txId: outcome.txId };
      case 'aborted':
        throw new ConflictException({
          committed: false,
          txId: outcome.txId,
          reason: outcome.reason,
          votes: outcome.votes,
        });
      case 'unavailable':
        throw new ServiceUnavailableException({
          statusCode: 503,
          message: outcome.reason,
          txId: outcome.txId,
        });
    }
  }

  @Get()
  @ApiOperation({ summary: 'The register as last committed', description: 'Read from the decision log.' })
  @ApiOkResponse({ type: RegisterValueDto })
  read(): RegisterValueDto {
    return this.coordinator.currentLedger().base;
  }
}

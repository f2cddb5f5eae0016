import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { TX_ID_PATTERN } from '../../common/parse-payload';
import { ErrorResponseDto, ResolveAnswerDto, TransactionViewDto } from '../dto/register-responses.dto';
import { TransactionCoordinator } from '../transaction-coordinator.service';
import { transactionView } from '../transaction-view';

const TX_PARAM = { name: 'txId', description: 'as PUT /register answered it', example: 'tx-12-4' };

function checkTxId(txId: string): string {
  if (!TX_ID_PATTERN.test(txId)) throw new BadRequestException('txId must be 1-64 of A-Z a-z 0-9 . _ -');
  return txId;
}

@ApiTags('transactions')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'a malformed txId' })
@Controller('transactions')
export class TransactionsHttpController {
  constructor(private readonly coordinator: TransactionCoordinator) {}

  @Get(':txId')
  @ApiOperation({ summary: 'Votes, decision and timings of one transaction, from the decision log' })
  @ApiParam(TX_PARAM)
  @ApiOkResponse({ type: TransactionViewDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('txId') txId: string): TransactionViewDto {
    const entry = this.coordinator.currentLedger().get(checkTxId(txId));
    if (entry === undefined) throw new NotFoundException(`no transaction ${txId}`);
    return transactionView(txId, entry);
  }

  @Post(':txId/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'For a replica in doubt: the decision, under this coordinator’s fencing token',
    description:
      'Answered only by the active coordinator. A transaction it has no record of is decided abort ' +
      '(presumed abort); one still collecting votes answers decision: null.',
  })
  @ApiParam(TX_PARAM)
  @ApiOkResponse({ type: ResolveAnswerDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'a standby, or still recovering' })
  resolve(@Param('txId') txId: string): ResolveAnswerDto {
    const answer = this.coordinator.resolve(checkTxId(txId));
    if (answer === null) throw new ServiceUnavailableException('not the active coordinator');
    return { txId, ...answer };
  }
}

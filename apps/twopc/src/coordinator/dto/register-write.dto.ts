import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { MAX_VALUE_LENGTH } from '../../common/parse-payload';

export class RegisterWriteDto {
  @ApiProperty({ maxLength: MAX_VALUE_LENGTH, description: 'the new value of the register', example: 'blue' })
  @IsString({ message: 'value must be a string' })
  @MaxLength(MAX_VALUE_LENGTH, { message: `value must be at most ${MAX_VALUE_LENGTH} characters` })
  value!: string;

  @ApiPropertyOptional({
    minimum: 0,
    description:
      'write only if the register is at this version now (compare-and-set); a mismatch is a no vote',
    example: 3,
  })
  @IsOptional()
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(0, { message: 'expectedVersion must be at least 0' })
  expectedVersion?: number;
}

import { BadRequestException } from '@nestjs/common';
import type { DashboardQuery } from './dashboard-view';

const MAX_PAGE_SIZE = 200;
const FILTER = /^[A-Za-z0-9._:-]{0,128}$/;

/** Parses the dashboard's query; bad values are a 400 naming the field. */
export function parseDashboardQuery(raw: Record<string, unknown>): DashboardQuery {
  const page = integer(raw.page, 'page', 0, 1_000_000, 0);
  const size = integer(raw.size, 'size', 1, MAX_PAGE_SIZE, 50);
  const filter = raw.filter === undefined ? '' : raw.filter;
  if (typeof filter !== 'string' || !FILTER.test(filter))
    throw new BadRequestException('filter must be at most 128 of A-Z a-z 0-9 . _ : -');
  return { page, size, filter };
}

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= min && parsed <= max))
    throw new BadRequestException(`${field} must be an integer from ${min} to ${max}`);
  return parsed;
}

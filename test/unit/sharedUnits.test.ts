/**
 * One unit system for sizes in every front end (IEC: KiB, MiB, …), and how long a transfer took.
 */
import * as assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatRate } from '../../src/shared/units';

describe('shared/units', () => {
  it('formats sizes in IEC binary units', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(64 * 1024 + 3), '64 KiB');
    assert.equal(formatBytes(3_000_000), '2.9 MiB');
    assert.equal(formatBytes(150 * 1024 * 1024), '150 MiB');
    assert.equal(formatBytes(268_435_456), '256 MiB', 'the size issue 13 names');
    assert.equal(formatBytes(1024 ** 3 * 1.25), '1.3 GiB');
    assert.equal(formatBytes(1024 * 1024 - 1), '1 MiB', 'never "1024 KiB"');
    assert.equal(formatBytes(undefined), '? B');
    assert.equal(formatBytes(-1), '? B');
    assert.equal(formatBytes(Number.NaN), '? B');
  });

  it('formats a speed from bytes and milliseconds', () => {
    assert.equal(formatRate(268_435_456, 4_000), '64 MiB/s');
    assert.equal(formatRate(1536, 1_000), '1.5 KiB/s');
    assert.equal(formatRate(10, 0), undefined);
    assert.equal(formatRate(-1, 10), undefined);
  });

  it('formats durations from under a tenth of a second to hours', () => {
    assert.equal(formatDuration(40), 'under 0.1 s');
    assert.equal(formatDuration(420), '0.4 s');
    assert.equal(formatDuration(4_200), '4.2 s');
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(65_000), '1 min 5 s');
    assert.equal(formatDuration(120_000), '2 min');
    assert.equal(formatDuration(3_720_000), '1 h 2 min');
    assert.equal(formatDuration(-5), '?');
  });
});

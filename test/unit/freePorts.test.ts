import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ephemeralRangeStart, findFreePort, findFreePortRange } from '../../harness/polling';

describe('free ports for test and benchmark services', () => {
  it('when a port is asked for, then it lies below the ephemeral range, where no outgoing connection can take it later', async () => {
    const limit = ephemeralRangeStart();
    for (let i = 0; i < 5; i++) {
      const port = await findFreePort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(limit);
    }
  });

  it('when a range is asked for, then all of it lies below the ephemeral range', async () => {
    const base = await findFreePortRange(6);
    expect(base + 5).toBeLessThan(ephemeralRangeStart());
  });

  it('when ports are asked for before any is bound, then no two of them are the same', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) {
      const base = await findFreePortRange(4);
      ports.push(base, base + 1, base + 2, base + 3);
    }
    for (let i = 0; i < 20; i++) ports.push(await findFreePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('when the kernel range cannot be read, then the Linux default start 32768 is assumed', () => {
    expect(ephemeralRangeStart(path.join(os.tmpdir(), 'no-such-range-file'))).toBe(32_768);
  });

  it('when the kernel range is read, then its first number is the start', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'range-')), 'ip_local_port_range');
    fs.writeFileSync(file, '40000\t60999\n');
    expect(ephemeralRangeStart(file)).toBe(40_000);
  });
});

import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { aService } from '../support/builders';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { loadFixture } from '../../harness/notifications';
import { BIN, requireBinary } from '../../harness/ownedProcess';

describe('/metrics against promtool', () => {
  test('when promtool checks what /metrics serves after a decision, then it finds nothing wrong (exit 0)', async () => {
    const swarm = new FakeSwarm();
    swarm.add(aService({}));
    const { app } = await createTestApp(swarm);
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(loadFixture('firing-one-alert')).expect(202);
    const exposition = (await request(app).get('/metrics').expect(200)).text;
    expect(exposition).toMatch(/^alertscale_decisions_total\{/m);
    expect(exposition).toMatch(/^nodejs_active_handles\{/m);

    const checked = spawnSync(requireBinary(BIN.promtool), ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
    expect({ code: checked.status, problems: `${checked.stdout}${checked.stderr}` }).toEqual({ code: 0, problems: '' });
  });
});

import { describe, expect, it } from 'vitest';
import { natsEnv } from '../testing/nats-env.js';
import { subjects } from '../../protocols/index.js';
import { claimNode, judgeNodes, listNodes, NodeIdInUseError } from './node-id.js';

const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as NodeIdInUseError);

describe('one node per role on a NATS system (real nats-server)', () => {
  it('without leases any other running node is a conflict; a release or a dropped connection (kill -9) frees the system', async () => {
    await using env = await natsEnv();
    const a = await env.connect();
    const b = await env.connect();
    const held = await claimNode(a, 'n1', { cluster: false });
    expect(held.instance).toMatchObject({ node: 'n1', pid: process.pid, cluster: false });

    const same = await refusal(claimNode(b, 'n1', { cluster: false }));
    expect(same).toBeInstanceOf(NodeIdInUseError);
    expect(same!.holder).toEqual(held.instance);
    expect(same!.message).toMatch(new RegExp(`^node id 'n1' is already running on this NATS system \\(pid ${process.pid} on .+, up since \\d{4}-.+\\): stop that process first, or give this one another node.id \\(QT_NODE__ID\\)$`));
    // Another id changes nothing without leases: both would run every symbol and brain.
    const other = await refusal(claimNode(b, 'n2', { cluster: false }));
    expect(other!.message).toMatch(/^node 'n1' is running on this NATS system \(pid \d+ .*\) and this node runs without leases/);
    // Nor may a cluster node join a node that runs without leases.
    expect((await refusal(claimNode(b, 'n2', { cluster: true })))!.message).toMatch(/and it runs without leases/);

    held.release();
    await a.nc.flush();
    const next = await claimNode(b, 'n1', { cluster: false });
    expect(next.instance.instance).not.toBe(held.instance.instance);
    const c = await env.connect();
    expect(await refusal(claimNode(c, 'n1', { cluster: false }))).toBeInstanceOf(NodeIdInUseError);
    await b.nc.close(); // the holder dies without a word
    expect((await claimNode(c, 'n1', { cluster: false })).instance.node).toBe('n1');
  });

  it('with leases nodes of other ids join, a second process with a taken id does not', async () => {
    await using env = await natsEnv();
    const [a, b, c] = [await env.connect(), await env.connect(), await env.connect()];
    await claimNode(a, 'node-a', { cluster: true });
    expect((await claimNode(b, 'node-b', { cluster: true })).instance).toMatchObject({ node: 'node-b', cluster: true });
    expect((await refusal(claimNode(c, 'node-b', { cluster: true })))!.message).toMatch(/^node id 'node-b' is already running/);
    // A node without leases would run everything the cluster shares out.
    expect((await refusal(claimNode(c, 'node-c', { cluster: false })))!.message).toMatch(/and this node runs without leases/);
  });

  it('qt doctor lists the nodes of a NATS system and fails when two run the same actors', async () => {
    await using env = await natsEnv();
    expect(judgeNodes(await listNodes(env.bus, { maxWaitMs: 1_000 }))).toMatchObject({ status: 'unavailable' });
    const a = await env.connect();
    await claimNode(a, 'node-a', { cluster: true });
    await claimNode(await env.connect(), 'node-b', { cluster: true });
    const two = await listNodes(env.bus, { maxWaitMs: 2_000 });
    expect(two.map((n) => n.node)).toEqual(['node-a', 'node-b']);
    expect(judgeNodes(two)).toEqual({ status: 'pass', detail: expect.stringMatching(/^2 nodes: node-a \(pid \d+ on .+, leases on\); node-b \(pid \d+ on .+, leases on\)$/) });
    // Two processes that started in the same instant both passed their claim: doctor is where it shows.
    const late = { node: 'node-c', instance: 'x', pid: 4242, host: 'elsewhere', startedAt: 0, cluster: false };
    const sub = a.nc.subscribe(subjects.control('node', 'instance'), { callback: (_e, m) => void m.respond(JSON.stringify(late)) });
    await a.nc.flush();
    const three = await listNodes(env.bus, { maxWaitMs: 2_000 });
    expect(judgeNodes(three)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^3 nodes and node-c without leases: they run the same actors: /) });
    sub.unsubscribe();
    expect(judgeNodes([{ ...late, cluster: true }, { ...late, pid: 1, cluster: true }])).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^node id node-c runs in more than one process/) });
  });
});

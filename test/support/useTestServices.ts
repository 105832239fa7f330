import { assertSwarmManager, uniqueName } from '../../harness/docker';
import { createTestService, removeOrphanedServices, removeTestServices, type TestServiceOptions } from '../../harness/swarmServices';

/**
 * The Swarm services of one test file. Before its tests: fails unless this
 * node is an active Swarm manager, and removes what crashed runs left under
 * `prefix`. After them, also when a test failed: removes every service in
 * `names` (those `create` made, and any name a test pushes there itself).
 */
export function useTestServices(prefix: string): { names: string[]; create: (options?: TestServiceOptions) => Promise<string> } {
  const names: string[] = [];
  beforeAll(async () => {
    await assertSwarmManager();
    await removeOrphanedServices(prefix);
  });
  afterAll(() => removeTestServices(names));
  return {
    names,
    /** A sleeping busybox service named `prefix`-..., removed after the file's tests. */
    create: async (options = {}) => {
      const name = uniqueName(prefix);
      names.push(name);
      await createTestService(name, options);
      return name;
    },
  };
}

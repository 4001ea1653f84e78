// Probe and lifecycle endpoints, served beside /metrics under the same web config:
//   /-/healthy  200 while the server runs
//   /-/ready    200 once the first update cycle is done, 503 before
//   /-/reload   POST or PUT: reload the config file; only with -web.enable-lifecycle (403 otherwise)
import type { Route, RouteResponse } from '../server/routes';
import type { ReloadResult } from './reload';

export interface LifecycleDeps {
  /** whether the first cycle is done */
  ready(): boolean;
  /** the reload to run, or null when -web.enable-lifecycle is not given */
  reload: ((trigger: string) => Promise<ReloadResult>) | null;
}

const TEXT = 'text/plain; charset=utf-8';

function text(status: number, body: string): RouteResponse {
  return { status, body, contentType: TEXT };
}

export function lifecycleRoutes(deps: LifecycleDeps): Route[] {
  return [
    {
      path: '/-/healthy',
      methods: ['GET', 'HEAD'],
      handle: async () => text(200, 'Named Process Exporter is Healthy.\n'),
    },
    {
      path: '/-/ready',
      methods: ['GET', 'HEAD'],
      handle: async () => (deps.ready() ? text(200, 'Named Process Exporter is Ready.\n') : text(503, 'Service Unavailable\n')),
    },
    {
      path: '/-/reload',
      methods: ['POST', 'PUT'],
      handle: async () => {
        if (deps.reload === null) return text(403, 'Lifecycle API is not enabled.\n');
        const r = await deps.reload('http');
        return r.ok ? text(200, '') : text(500, `failed to reload config: ${r.error}\n`);
      },
    },
  ];
}

import * as k8s from '../../imports/k8s';
import { container, rootSecurityContext } from './container';
import { ClearmlContext } from './context';
import { resources } from './resources';

/**
 * An init container that polls `url` with curl until it answers 2xx, so that the main container
 * starts only when a server it needs at start-up is up (instead of crash-looping into back-off).
 * It uses the component's own image (the ClearML server image has curl): nothing more to pull.
 */
export function waitForHttp(ctx: ClearmlContext, name: string, image: string, url: string): k8s.Container {
  return container(ctx, {
    name,
    image,
    command: ['sh', '-c', 'until curl -fsS -o /dev/null --max-time 5 "$WAIT_URL"; do echo "waiting for $WAIT_URL"; sleep 3; done'],
    env: [{ name: 'WAIT_URL', value: url }],
    resources: resources('10m', '16Mi', '100m', '64Mi'),
    securityContext: rootSecurityContext([]),
  });
}

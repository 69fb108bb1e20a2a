import { finishExchange } from './finish.ts';
import type { GatewayContext } from './context.ts';

/** how long the cut exchanges get to end through their own paths (abort, stream error) before they are ended here */
const SETTLE_MS = 2_000;

/**
 * The shutdown timeout's last step: every exchange still in flight is marked as cut by the shutdown
 * (`outcome: gateway_error`, the error says why), its connection is closed, and it is finished — so its
 * event, with what was captured so far, is queued or journaled before the process exits instead of
 * being lost with it. Returns how many were cut.
 */
export async function cutInflight(ctx: GatewayContext, reason: string): Promise<number> {
  const cut = [...ctx.active.values()];
  for (const { st, res } of cut) {
    st.ex.cut(reason);
    // the client sees its connection end; the upstream request is aborted through the close
    res.destroy();
  }
  const deadline = Date.now() + SETTLE_MS;
  while (ctx.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // whatever did not end by itself (a handler waiting on something that never settles) is ended here
  for (const { st } of [...ctx.active.values()]) {
    if (!st.ex.status) st.ex.status = 503;
    finishExchange(ctx, st);
  }
  return cut.length;
}

/**
 * Child process for presence.test.ts: an agent that publishes Ready with a short Expires, says
 * "published", and then waits to be SIGKILLed (no unpublish, no goodbye): a crashed desktop.
 * Usage: node --import tsx presenceCrashAgent.ts WS_URL DOMAIN NAME EXPIRES_SEC
 */
import { startPresenceAgent } from './presenceAgents.js';

const [wsUrl, domain, name, expires] = process.argv.slice(2);
if (!wsUrl || !domain || !name || !expires) throw new Error('usage: presenceCrashAgent.ts WS_URL DOMAIN NAME EXPIRES_SEC');
await startPresenceAgent({ wsUrl, domain }, name, [], { publishExpiresSec: Number(expires), watch: false });
process.stdout.write('published\n');
setInterval(() => undefined, 60_000);

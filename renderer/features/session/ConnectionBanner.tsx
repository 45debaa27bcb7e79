/** The connection to the phone server, when it is anything but fine. */
import { useAppSelector } from '../../app/store.js';

export function ConnectionBanner() {
  const session = useAppSelector((s) => s.desk.desk?.session);
  if (!session) return null;
  const { registration, error } = session;
  const detail = error?.message ? ` ${error.message}` : '';
  switch (registration) {
    case 'connecting':
    case 'registering':
      return (
        <div className="banner banner--info" role="status">
          Connecting to the phone server…
        </div>
      );
    case 'reconnecting':
      return (
        <div className="banner banner--warning" role="alert">
          <strong>Connection lost — reconnecting.</strong> Your calls are kept.{detail}
        </div>
      );
    case 'failed':
      return (
        <div className="banner banner--error" role="alert">
          <strong>Could not connect.</strong>
          {detail || ' The phone server refused the connection.'}
        </div>
      );
    case 'unregistered':
      return session.user && error ? (
        <div className="banner banner--error" role="alert">
          <strong>Not connected.</strong>
          {detail}
        </div>
      ) : null;
    case 'registered':
      return null;
  }
}

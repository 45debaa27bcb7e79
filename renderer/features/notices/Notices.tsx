/** Main's notices (e.g. a damaged local database set aside) and refused commands, in plain words. */
import { useAppDispatch, useAppSelector } from '../../app/store.js';
import { errorDismissed, noticeDismissed } from '../desk/workspaceSlice.js';

export function Notices() {
  const notices = useAppSelector((s) => s.desk.desk?.notices ?? []);
  const dismissed = useAppSelector((s) => s.workspace.dismissedNotices);
  const errors = useAppSelector((s) => s.workspace.errors);
  const dispatch = useAppDispatch();
  const visible = notices.filter((n) => !dismissed.includes(n.id));
  if (visible.length === 0 && errors.length === 0) return null;
  return (
    <div className="notices">
      {visible.map((n) => (
        <div key={n.id} className="banner banner--info" role="status">
          <span>{n.text}</span>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => dispatch(noticeDismissed(n.id))}
            aria-label="Dismiss notice"
          >
            Dismiss
          </button>
        </div>
      ))}
      {errors.map((e) => (
        <div key={e.id} className="banner banner--error" role="alert">
          <span>{e.text}</span>
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => dispatch(errorDismissed(e.id))}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

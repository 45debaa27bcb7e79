import { NoticePage } from './NoticePage.js';

/**
 * What a browser tab of npm start's fallback shows once its link opens no desk: the token was
 * refused (an old tab after npm start restarted, or a mistyped link) or the desk's process stopped
 * (Ctrl+C). Either way only a new link helps, so the page says that instead of waiting forever.
 */
export function DeskGone() {
  return (
    <NoticePage titleId="desk-gone-title" title="This link no longer opens a desk">
      <p>
        The demo was stopped or restarted, or the link is wrong: open the link <code>npm start</code> printed last (run it again if it is
        not running).
      </p>
    </NoticePage>
  );
}

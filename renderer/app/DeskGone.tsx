/**
 * What a browser tab of npm start's fallback shows once its link opens no desk: the token was
 * refused (an old tab after npm start restarted, or a mistyped link) or the desk's process stopped
 * (Ctrl+C). Either way only a new link helps, so the page says that instead of waiting forever.
 */
export function DeskGone() {
  return (
    <main className="sign-in" aria-labelledby="desk-gone-title">
      <div className="card sign-in__card">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">B</span> Baton
        </div>
        <h1 id="desk-gone-title">This link no longer opens a desk</h1>
        <p>
          The demo was stopped or restarted, or the link is wrong: open the link <code>npm start</code> printed last (run it again if it is
          not running).
        </p>
      </div>
    </main>
  );
}

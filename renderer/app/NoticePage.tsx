import type { ReactNode } from 'react';

/**
 * A page with no desk behind it, only words on how to reach one (NoDesk, DeskGone): the brand, a
 * heading and the sentence to act on, on the sign-in card.
 */
export function NoticePage({
  titleId,
  title,
  children,
}: {
  readonly titleId: string;
  readonly title: string;
  readonly children: ReactNode;
}) {
  return (
    <main className="sign-in" aria-labelledby={titleId}>
      <div className="card sign-in__card">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">B</span> Baton
        </div>
        <h1 id={titleId}>{title}</h1>
        {children}
      </div>
    </main>
  );
}

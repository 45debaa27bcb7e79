/** Replaces the media host page with one sentence for the agent: the page plays and captures nothing any more. */
export function showPageNotice(doc: Document, notice: { readonly text: string; readonly marker: string; readonly title: string }): void {
  const sentence = doc.createElement('p');
  sentence.setAttribute('role', 'alert');
  sentence.dataset[notice.marker] = 'true';
  sentence.textContent = notice.text;
  doc.body.replaceChildren(sentence);
  doc.title = notice.title;
}

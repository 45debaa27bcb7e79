export function PencilIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        d="M11.7 1.3a1 1 0 0 1 1.4 0l1.6 1.6a1 1 0 0 1 0 1.4l-8.5 8.5-3.4.9a.5.5 0 0 1-.6-.6l.9-3.4 8.6-8.4Zm-7.6 9.2-.5 1.9 1.9-.5 7.3-7.3-1.4-1.4-7.3 7.3Z"
        fill="currentColor"
      />
    </svg>
  );
}

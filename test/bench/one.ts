/** Runs one benchmark module and exits explicitly: wrtc can crash in Node's own exit otherwise. */
const name = process.argv[2] ?? '';
const module = (await import(`./${name}.js`)) as { run: () => Promise<void> };
module
  .run()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

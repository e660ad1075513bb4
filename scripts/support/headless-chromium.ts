// How every browser run of the project starts Chromium: Debian's build (Playwright's own download is
// not reachable here), and the flags that keep it from calling out to a network it does not have.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

'use strict';
// Removes dist/ so that a deleted source file never leaves a stale compiled spec behind.
require('node:fs').rmSync(require('node:path').resolve(__dirname, '..', 'dist'), { recursive: true, force: true });

#!/usr/bin/env node
// The devnet simulator of komodod: accepts komodod's arguments, serves its JSON-RPC.
import '../dist/komodod.js';

#!/usr/bin/env node
// The devnet simulator of Iguana: takes Iguana's arguments (notary | 3rd_party), serves its API.
import '../dist/iguana.js';

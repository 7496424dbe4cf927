/** Every target's renderer. Each is pure: a RenderContext in, artifacts out. */
import type { Renderer, TargetName } from '../artifact.ts';
import { renderAnsible } from './ansible.ts';
import { renderCompose } from './compose.ts';
import { renderConf } from './conf.ts';
import { renderEntrypoint } from './entrypoint.ts';
import { renderIguana } from './iguana.ts';
import { renderKubernetes } from './kubernetes.ts';
import { renderMonitoring } from './monitoring/index.ts';
import { renderSystemd } from './systemd.ts';

export const RENDERERS: Readonly<Record<TargetName, Renderer>> = {
  conf: renderConf,
  iguana: renderIguana,
  systemd: renderSystemd,
  entrypoint: renderEntrypoint,
  compose: renderCompose,
  kubernetes: renderKubernetes,
  ansible: renderAnsible,
  monitoring: renderMonitoring,
};

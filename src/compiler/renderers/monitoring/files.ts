/** Paths and addresses of the monitoring tree, shared by its documents. */
export const MONITORING_DIR = 'monitoring';
export const RULES_FILE = 'rules/dokomodo.rules.yml';
export const RULES_TEST_FILE = 'rules/dokomodo.rules.test.yml';
export const ALERTMANAGER_ADDRESS = '127.0.0.1:9093';
/** Placeholder receiver: `.invalid` never resolves, so an unedited file cannot post alerts anywhere. */
export const WEBHOOK_PLACEHOLDER = 'https://alert-receiver.invalid/dokomodo';

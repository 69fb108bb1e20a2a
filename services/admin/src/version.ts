/** Reported by /admin/system and the OpenAPI document. */
export const VERSION = '0.1.0';

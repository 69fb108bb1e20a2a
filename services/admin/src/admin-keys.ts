/** Redis keys admin owns, under the shared prefix (contracts' redisKeys holds the cross-service ones). */
export function adminKeys(prefix: string) {
  return {
    /** login-attempt counter per ip+username (cleared by a success) */
    loginFailures: (ip: string, username: string) => `${prefix}:admin:login-fail:${ip}:${username.toLowerCase()}`,
    /** single-use WebSocket tickets */
    wsTicket: (ticket: string) => `${prefix}:admin:ws-ticket:${ticket}`,
    /** session ids revoked by logout, kept until the token would have expired */
    revoked: (jti: string) => `${prefix}:admin:revoked:${jti}`,
  };
}

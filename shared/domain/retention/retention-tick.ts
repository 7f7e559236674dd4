/**
 * How often the retention timer function fires (NCRONTAB, every five minutes); `retention.schedule`
 * in autopilot.yaml decides when a run is due. Its own module: the timer's registration needs it at
 * import time, before anything heavier is loaded.
 */
export const retentionTick = '0 */5 * * * *';

import ICAL from 'ical.js';

/**
 * The events of an iCalendar text as a calendar app reads them: ical.js, with the VTIMEZONE blocks
 * the file carries; local times in the event's zone and absolute times in UTC.
 */
export function readCalendar(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone'))
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      description: event.description,
      status: vevent.getFirstPropertyValue('status'),
      zone: event.startDate.zone?.tzid,
      localStart: event.startDate.toString(),
      localEnd: event.endDate.toString(),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
}

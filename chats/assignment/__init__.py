"""Who gets a conversation: routing, in one package.

- `drain`: a team's queue drained onto free operators, oldest first (`team_queue_drain`);
- `candidates`: the team's candidates with their loads, and the choice among them (account
  manager, last operator, the inbox's strategy);
- `availability`: who may be handed a conversation by hand;
- `presence`: online, away and offline from the operators' console sockets;
- `watchdog`: conversations taken back from operators who do not answer;
- `tasks`: the Celery tasks and beat jobs of all of it;
- `listeners`: the domain events that move a queue, heard after the commit;
- `requests`: the only entry points for the rest of the code, which enqueue and return.
"""

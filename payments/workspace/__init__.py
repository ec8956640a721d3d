"""The payment pages of the vendor and organiser workspaces (namespace ``payments``, routed by
``payments.workspace_urls``): :mod:`.vendor` (orders, shipping rates, settlements of a vendor) and
:mod:`.organiser` (an expo's transfers, orders, refunds, settlements, collecting account and
exchange rates), with the helpers both use in :mod:`.pages`.

Views stay thin: forms clean input, ``payments.services`` apply the rules (they check the
permissions again), ``payments.selectors`` read. A refused action shows its message and changes
nothing (``expo.refusals``).
"""

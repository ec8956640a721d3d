"""Quotations, proformas and the orders they become (issue 17, the export deal).

- :mod:`.services` the vendor sends (and revises) a quotation for a request; the buyer asks for a
  revision, declines, or accepts it — an order (channel ``quotation``) with its stock reserved and
  its first payment started (the deposit, or the whole); then the balance is paid.
- :mod:`.selectors` what each side may read: a vendor its own, a buyer their own; nobody else.
- :mod:`.documents` the proforma invoice, commercial invoice and packing list (PDF, in the
  buyer's language).
- :mod:`.views` the buyer's and the vendor's pages.

Money rules are the checkout's own: an order is paid once its received payments reach its total
(:mod:`payments.services.confirmation`); only then is the sales ledger written, and only the
ledger counts as realised.
"""

"""Referrals to partner agencies and their dated status."""

"""Helpers of the policies tests: a policy's service data."""


def policy_data(**over):
    data = {
        "title": "临沂市企业研发投入后补助",
        "issuer": "临沂市科学技术局",
        "level": "municipal",
        "region": "371300",
        "support_type": "subsidy",
        "summary": "对研发投入占比不低于 3% 的企业给予后补助。",
        "max_amount": "500000",
        "allows_application": True,
    }
    data.update(over)
    return data

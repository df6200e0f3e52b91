"""The sandbox's own test keys: any well-formed ``sk_test_``/``pk_test_`` key works, these are the ones we hand out."""

SECRET_KEY = "sk_test_sandbox_press_workbench"
PUBLISHABLE_KEY = "pk_test_sandbox_press_workbench"
